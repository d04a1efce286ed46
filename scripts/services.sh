#!/usr/bin/env bash
# Makes sure the servers the full test suite uses answer on 127.0.0.1: PostgreSQL (5432), Redis
# (6379) and RabbitMQ (5672, guest/guest), the last two the cluster's brokers. CI runs this so
# that no test that needs them is skipped there; on a laptop it is optional.
set -uo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

missing=()
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") \
        >/dev/null 2>&1 || echo "services: could not install ${missing[*]}" >&2
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    for v in $(ls /etc/postgresql 2>/dev/null); do
        pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if command -v redis-server >/dev/null 2>&1 && ! answers 6379; then
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 10); do answers 6379 && break; sleep 1; done
fi
if command -v rabbitmq-server >/dev/null 2>&1 && ! answers 5672; then
    # Debian's wrapper runs it as the rabbitmq user; -detached returns at once
    rabbitmq-server -detached >/dev/null 2>&1 || service rabbitmq-server start >/dev/null 2>&1 || true
    for _ in $(seq 1 60); do answers 5672 && break; sleep 1; done
fi

pg_isready -h 127.0.0.1 -p 5432 || echo "services: PostgreSQL is not answering" >&2
answers 6379 || echo "services: Redis is not answering on 6379" >&2
answers 5672 || echo "services: RabbitMQ is not answering on 5672" >&2
