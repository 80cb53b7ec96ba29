from config.celery_app import ping


def test_real_worker_executes_a_task_through_redis(celery_worker):
    result = ping.delay("hello from the broker")

    assert result.get(timeout=30) == "hello from the broker"
    assert celery_worker.app.conf.task_always_eager is False
