# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22
ARG VARIANT=alpine

# stagebuild: the files of stage build, exported by its own pod
FROM scratch AS build
ADD from/build.tar /

# stagebuild: the files of stage certs, exported by its own pod
FROM scratch AS certs
ADD from/certs.tar /

FROM scratch AS stage-5
ARG OUT=/out
COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/app /app
COPY --from=build --chmod=0644 ["/out/etc/.", "/etc/app/"]
COPY --from=busybox:1.36 /bin/busybox /bin/busybox
ADD --chown=0:0 https://example.com/licenses.tar.gz /licenses/
COPY src/docs/*.md /usr/share/doc/docs/
COPY <<EOF /etc/app/config.yaml
listen: :8080
EOF
USER 65532:65532
ENTRYPOINT ["/app"]
