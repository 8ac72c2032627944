# stagebuild: the files of stage server, exported by its own pod
FROM scratch AS server
ADD from/server.tar /

# stagebuild: the files of stage client, exported by its own pod
FROM scratch AS client
ADD from/client.tar /

FROM gcr.io/distroless/base-debian12 AS stage-3
COPY --from=server /src/server/bin/server /usr/bin/server
COPY --from=client /src/client/bin/client /usr/bin/client
ENTRYPOINT ["/usr/bin/server"]
