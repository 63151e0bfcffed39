"""After-sales' background work: thin Celery wrappers over services, under names that never change."""

from celery import shared_task


@shared_task(name="aftersales.send_demand_reports")
def send_demand_reports():
    from .demand import services

    return services.send_due_reports()
