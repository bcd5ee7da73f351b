from django.contrib import admin

from instructors.models import Assignment, FirstSecretaryAppointment, Instructor, Stipend, Training


@admin.register(Instructor)
class InstructorAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "dual_duty", "region")
    list_filter = ("source", "dual_duty")
    search_fields = ("name",)
    exclude = ("phone",)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("instructor", "enterprise", "start_on", "end_on")
    raw_id_fields = ("instructor", "enterprise")


admin.site.register(FirstSecretaryAppointment)
admin.site.register(Training)
admin.site.register(Stipend)
