"""Background tasks of the ingest app, run by the task worker (`cleanprod db_worker`)."""

from django_tasks import task

from .services import run_job


@task()
def run_import_job(job_id: int) -> None:
    run_job(job_id)
