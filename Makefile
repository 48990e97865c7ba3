# MinQing — `make run` serves the demo county, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
BIND ?= 127.0.0.1:8000

.PHONY: help run test lint lint-baseline fmt bench demo-province clean

help:
	@echo "make run    — 安装依赖、迁移数据库、加载演示县、启动服务 (http://$(BIND))"
	@echo "make test   — 运行全部测试 (SQLite；设置 DATABASE_URL 则用 PostgreSQL)"
	@echo "make lint   — ruff check、ruff format --check、mypy 与复杂度（对照 lint/ 基线）"
	@echo "make lint-baseline — 修复后重写 lint/ 下的 mypy 与复杂度基线"
	@echo "make bench  — 运行基准测试，结果写入 bench/results/latest.json"

# The venv is rebuilt when the pinned requirements change (stamp carries their hash).
PYTEST_ARGS ?= -n 2
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt 2>/dev/null | sha1sum | cut -c1-12)
RUNTIME_STAMP := $(VENV)/.runtime-$(REQ_HASH)
DEV_STAMP := $(VENV)/.dev-$(REQ_HASH)

$(PY):
	@PYBIN=$$(scripts/find-python) || exit 1; \
	echo "using $$PYBIN"; \
	"$$PYBIN" -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)
	$(PY) -m minqing migrate --no-input -v 0
	$(PY) -m minqing collectstatic --no-input -v 0
	$(PY) -m minqing demo
	$(PY) -m minqing serve --bind $(BIND)

test: $(DEV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Complexity (C901) and mypy are judged against baselines in lint/ that only shrink: new
# findings fail, and so do fixed ones until `make lint-baseline` records them.
lint: $(DEV_STAMP)
	$(PY) -m ruff check --ignore C901 .
	$(PY) -m ruff format --check .
	$(PY) scripts/mypy-check
	$(PY) scripts/complexity-check

lint-baseline: $(DEV_STAMP)
	$(PY) scripts/mypy-check --update
	$(PY) scripts/complexity-check --update

fmt: $(DEV_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --ignore C901 --fix .

bench: $(DEV_STAMP)
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .mypy_cache
