# stagebuild: the files of stage poetry, exported by its own pod
FROM scratch AS poetry
ADD from/poetry.tar /

FROM python:3.9.17-bookworm AS stage-1
LABEL maintainer="Erik Ferlanti <eferlanti@tacc.utexas.edu>"
RUN apt-get update && apt-get install -y \
    vim-tiny \
    && rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONFAULTHANDLER=1 \
    PIP_NO_CACHE_DIR=off \
    PIP_DISABLE_PIP_VERSION_CHECK=on \
    PIP_DEFAULT_TIMEOUT=100
WORKDIR /calculate_pi
COPY --from=poetry /calculate_pi/requirements.txt .
RUN pip install -r requirements.txt
COPY --from=poetry /calculate_pi/dist/*.whl ./
RUN pip install *.whl
COPY src/README.md \
     /calculate_pi/
CMD [ "calculate-pi", "--help" ]
