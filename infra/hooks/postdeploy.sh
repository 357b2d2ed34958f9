#!/usr/bin/env bash
# azd postdeploy hook: subscribes the function app's blob extension webhook to "blob created under incoming/".
#
# Why after deploy: the webhook URL needs the app's blobs_extension system key, which the Functions host creates only
# once the deployed code (a blob trigger with Source = EventGrid) has started. This script waits for the key, then
# deploys infra/modules/eventgrid.bicep (the same module main.bicep deploys) with deployEventSubscription = true and
# the webhook URL as a secure parameter, so the subscription, its retry policy and its dead-letter container are
# defined in one place. The key travels in a 0600 temp file that is removed on exit, never on a command line.
#
# azd runs it with the environment's outputs set. By hand: eval "$(azd env get-values)"; bash infra/hooks/postdeploy.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
template="$here/../modules/eventgrid.bicep"
function_name="IngestFeed"
subscription_name="ingest-incoming"
timeout_seconds="${MONITOR_KEY_TIMEOUT_SECONDS:-600}"

fail() { echo "postdeploy: $*" >&2; exit 1; }

for name in AZURE_ENV_NAME AZURE_LOCATION AZURE_RESOURCE_GROUP AZURE_FUNCTION_APP_NAME AZURE_FUNCTION_APP_HOST_NAME \
            AZURE_STORAGE_ACCOUNT_NAME EVENTGRID_SYSTEM_TOPIC_NAME EVENTGRID_DEADLETTER_CONTAINER; do
  [[ -n "${!name:-}" ]] || fail "$name is not set: run through azd, or first: eval \"\$(azd env get-values)\""
done
command -v az >/dev/null || fail "the Azure CLI (az) is required"

# The key exists once the host has started with the blob extension; a request to the app starts a cold host.
deadline=$((SECONDS + timeout_seconds))
key=""
while true; do
  key="$(az functionapp keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_FUNCTION_APP_NAME" \
           --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)"
  key="${key//[$'\r\n ']/}"
  [[ -n "$key" ]] && break
  (( SECONDS < deadline )) || fail "no blobs_extension key on $AZURE_FUNCTION_APP_NAME after ${timeout_seconds}s. Is the code deployed (azd deploy) and the host healthy? Then run: azd hooks run postdeploy"
  echo "postdeploy: waiting for the blobs_extension key of $AZURE_FUNCTION_APP_NAME ..."
  if command -v curl >/dev/null; then
    curl --silent --output /dev/null --max-time 30 "https://$AZURE_FUNCTION_APP_HOST_NAME/" || true
  fi
  sleep 10
done

# Keys are URL-safe base64 in practice; encode the few characters that would change the query string if not.
code="${key//%/%25}"
code="${code//+/%2B}"
code="${code//\//%2F}"
code="${code//=/%3D}"
[[ "$code" =~ ^[A-Za-z0-9_.~%-]+$ ]] || fail "the blobs_extension key has unexpected characters"
webhook="https://$AZURE_FUNCTION_APP_HOST_NAME/runtime/webhooks/blobs?functionName=Host.Functions.$function_name&code=$code"

json() { local s="${1//\\/\\\\}"; s="${s//\"/\\\"}"; printf '"%s"' "$s"; }

umask 077
parameters="$(mktemp "${TMPDIR:-/tmp}/monitor-eventgrid.XXXXXX.json")"
trap 'rm -f "$parameters"' EXIT
cat > "$parameters" <<JSON
{
  "\$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "systemTopicName": { "value": $(json "$EVENTGRID_SYSTEM_TOPIC_NAME") },
    "location": { "value": $(json "$AZURE_LOCATION") },
    "tags": { "value": { "azd-env-name": $(json "$AZURE_ENV_NAME"), "application": "monitor" } },
    "storageAccountName": { "value": $(json "$AZURE_STORAGE_ACCOUNT_NAME") },
    "deadLetterContainerName": { "value": $(json "$EVENTGRID_DEADLETTER_CONTAINER") },
    "deployEventSubscription": { "value": true },
    "webhookUrl": { "value": $(json "$webhook") }
  }
}
JSON

echo "postdeploy: subscribing $function_name to BlobCreated under incoming/ (system topic $EVENTGRID_SYSTEM_TOPIC_NAME)"
az deployment group create --resource-group "$AZURE_RESOURCE_GROUP" --name "monitor-eventgrid-subscription" \
  --template-file "$template" --parameters "@$parameters" --output none

state="$(az eventgrid system-topic event-subscription show --resource-group "$AZURE_RESOURCE_GROUP" \
          --system-topic-name "$EVENTGRID_SYSTEM_TOPIC_NAME" --name "$subscription_name" \
          --query provisioningState --output tsv)"
[[ "$state" == "Succeeded" ]] || fail "event subscription $subscription_name is in state '$state'"
echo "postdeploy: event subscription $subscription_name: $state (dead letters go to container $EVENTGRID_DEADLETTER_CONTAINER)"
