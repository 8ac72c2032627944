FROM python:3.9.17-bookworm as poetry
ENV POETRY_VERSION = "1.5.1"
RUN pip install "poetry==${POETRY_VERSION}"
WORKDIR /calculate_pi
COPY src/pyproject.toml src/poetry.lock ./
RUN poetry export -f requirements.txt --output requirements.txt --without-hashes
COPY src/README.md \
     /calculate_pi/
COPY src/calculate_pi /calculate_pi/calculate_pi/
RUN poetry build
