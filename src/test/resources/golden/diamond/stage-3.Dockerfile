FROM gcr.io/distroless/base-debian12 AS stage-3
COPY from/server/src/server/bin/server /usr/bin/server
COPY from/client/src/client/bin/client /usr/bin/client
ENTRYPOINT ["/usr/bin/server"]
