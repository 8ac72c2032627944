# stagebuild: the files of stage build, exported by its own pod
FROM scratch AS build
ADD from/build.tar /

FROM alpine:3.18.3 AS stage-1
COPY --from=build /usr/local/bin/hello /usr/local/bin/hello
CMD [ "/usr/local/bin/hello" ]
