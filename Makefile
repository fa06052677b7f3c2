# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format bench browser-deps screenshots

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "系统地址：http://$(HOST):$(PORT)/   （以上演示账号登录）"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# In parallel, one process per core. A test module stays in one process (its module-scoped
# fixtures are built once) and the modules keep their order (the browser modules, which
# flush their process's database, run after the others).
test: $(BIN)/.installed browser-deps lint
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

browser-deps:
	@scripts/ensure-browser

screenshots: $(BIN)/.installed browser-deps
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py
