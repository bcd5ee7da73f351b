"""Register import (登记名单 / 年检名单): header variants, row normalization, staging and apply.

The flow (services.py drives it, tasks.py runs it in the background):

1. `staging.stage_file`: read the file (portal/spreadsheets.py), normalize and validate every row
   in Python (`rows.RowNormalizer`), COPY rows and problems into `enterprises_registerimportrow` /
   `enterprises_registerimportproblem`, then classify them against `enterprises_enterprise` in SQL.
2. The preview reads those tables (enterprises/selectors.py).
3. `apply.apply_rows`: one `INSERT ... ON CONFLICT (credit_code) DO UPDATE ... WHERE ... IS
   DISTINCT FROM ...` inside the caller's transaction and audit context.
"""
