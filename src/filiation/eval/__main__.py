from ..cli import app

app(["eval", *__import__("sys").argv[1:]])
