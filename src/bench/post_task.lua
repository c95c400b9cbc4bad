-- wrk script: POST /tasks with a small JSON body (the original FastAPI app's TaskCreate).
wrk.method = "POST"
wrk.path = "/tasks"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"benchmark task","description":"created by wrk","priority":3}'
