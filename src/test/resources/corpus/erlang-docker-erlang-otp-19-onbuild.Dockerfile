# origin: https://github.com/erlang/docker-erlang-otp/blob/023b069bdcc139d8b85bead3e93a73b01192a12d/19/onbuild/Dockerfile
FROM erlang:19

RUN mkdir -p /usr/src/app
WORKDIR /usr/src/app

ONBUILD COPY rebar.config /usr/src/app/
ONBUILD RUN rebar3 update
ONBUILD COPY . /usr/src/app
ONBUILD RUN rebar3 release

CMD [ "rebar3", "shell" ]
