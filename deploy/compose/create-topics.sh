#!/usr/bin/env bash
# One-shot topic setup for compose (service topic-setup, apache/kafka image): creates every tokenlog
# topic with replication factor 3 and min.insync.replicas 2 before any app starts, so nothing depends
# on auto-creation. Existing topics are left as they are: adding partitions later would move request
# ids to other partitions and break the replay of streams already stored.
# The topic list and cleanup policies are those of dev.tokenlog.deploy.TokenlogTopics (ManifestsTest
# checks that they match).
set -euo pipefail

BOOTSTRAP=${KAFKA_BOOTSTRAP_SERVERS:?}
PARTITIONS=${TOKENLOG_PARTITIONS:-6}
WEEK_MS=604800000
MONTH_MS=2592000000

create() { # topic cleanup.policy [more topic configs...]
  local topic=$1 policy=$2; shift 2
  local configs=(--config "cleanup.policy=$policy" --config min.insync.replicas=2)
  for c in "$@"; do configs+=(--config "$c"); done
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "$PARTITIONS" --replication-factor 3 "${configs[@]}"
}

create llm.requests      delete  retention.ms=$WEEK_MS
create llm.chunks        delete  retention.ms=$WEEK_MS
create llm.answers       delete  retention.ms=$WEEK_MS max.message.bytes=16777216 # a FinalAnswer holds a whole answer
create llm.control       delete  retention.ms=$WEEK_MS
create llm.metrics       delete  retention.ms=$WEEK_MS
create llm.stream-index  compact
create llm.requests.dlq  delete  retention.ms=$MONTH_MS

# The schema registry's KafkaSQL journal and snapshots: one partition, never deleted (Apicurio refuses
# other settings; losing the journal loses the schema ids every record refers to).
for topic in kafkasql-journal kafkasql-snapshots; do
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions 1 --replication-factor 3 --config cleanup.policy=delete \
    --config retention.ms=-1 --config retention.bytes=-1 --config min.insync.replicas=2
done

/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --describe --topic 'llm\..*|kafkasql-.*' \
  | grep -v '^\s*Topic: .*Partition:' || true
echo "tokenlog topics ready"
