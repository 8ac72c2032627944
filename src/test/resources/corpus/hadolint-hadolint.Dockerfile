# origin: https://github.com/hadolint/hadolint/blob/8f936c5e975d3663b3cce4ac5b3baa3db26b8516/docker/Dockerfile
FROM scratch AS base
COPY --chmod=777 hadolint /bin/hadolint
LABEL org.opencontainers.image.source="https://github.com/hadolint/hadolint"
CMD ["/bin/hadolint", "-"]

FROM debian:trixie-slim AS debian
COPY --chmod=777 hadolint /bin/hadolint
LABEL org.opencontainers.image.source="https://github.com/hadolint/hadolint"
CMD ["/bin/hadolint", "-"]

FROM alpine:3.24 AS alpine
COPY --chmod=777 hadolint /bin/hadolint
LABEL org.opencontainers.image.source="https://github.com/hadolint/hadolint"
CMD ["/bin/hadolint", "-"]
