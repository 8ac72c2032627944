# syntax=docker/dockerfile:1

# stagebuild: the files of stage build, exported by its own pod
FROM scratch AS build
ADD from/build.tar /

FROM alpine:3.20 AS runtime-base
RUN apk add --no-cache ca-certificates

# stagebuild: the files of stage build for the COPY of line 15, less what it excludes, exported by its own pod
FROM scratch AS build.exclude-4184c5d0b1f9
ADD from/build.exclude-4184c5d0b1f9.tar /

# stagebuild: the files of stage build for the COPY of line 16, less what it excludes, exported by its own pod
FROM scratch AS build.exclude-4a9e828c74ff
ADD from/build.exclude-4a9e828c74ff.tar /

# stagebuild: the files of stage test for the COPY of line 18, less what it excludes, exported by its own pod
FROM scratch AS test.exclude-ac192758a9cb
ADD from/test.exclude-ac192758a9cb.tar /

FROM runtime-base AS stage-3
COPY --from=build.exclude-4184c5d0b1f9 /out/ /opt/app/
COPY --from=build.exclude-4a9e828c74ff /out/ /usr/share/app/
COPY --from=build /out/app /usr/local/bin/app
COPY --from=test.exclude-ac192758a9cb /src /src
