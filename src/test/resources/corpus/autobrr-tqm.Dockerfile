# origin: https://github.com/autobrr/tqm/blob/5276290d8a505dc79949e4bd19b28f9d00c27cdf/build/Dockerfile
FROM sc4h/alpine-s6overlay:3.12

ENV \
  CONFIG_DIR=/config

# Binary
COPY ["dist/tqm_linux_amd64/tqm", "/app/tqm/tqm"]

# Add root files
COPY ["build/root/", "/"]

EXPOSE 7337

VOLUME ["/config"]
