"""Thin tasks of the demand reports."""

from celery import shared_task

__all__ = ["send_demand_reports"]


@shared_task(name="aftersales.send_demand_reports")
def send_demand_reports():
    from ..demand import services

    return services.send_due_reports()
