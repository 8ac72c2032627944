# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22
ARG VARIANT=alpine

FROM scratch AS stage-5
ARG OUT=/out
COPY from/certs/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY from/build/out/app /app
COPY --chmod=0644 ["from/build/out/etc/.", "/etc/app/"]
COPY --from=busybox:1.36 /bin/busybox /bin/busybox
ADD https://example.com/licenses.tar.gz /licenses/
COPY --parents src/./docs/*.md /usr/share/doc/
COPY <<EOF /etc/app/config.yaml
listen: :8080
EOF
USER 65532:65532
ENTRYPOINT ["/app"]
