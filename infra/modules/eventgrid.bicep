// Event Grid delivers "blob created under incoming/" to the blob extension's webhook: the ingest trigger uses
// Source = BlobTriggerSource.EventGrid (Flex Consumption has no polling blob trigger). The webhook URL carries the
// blobs_extension system key, which exists only once the app's code is deployed and its host has started; so the
// subscription is deployed by the azd postdeploy hook (infra/hooks/postdeploy.sh), which deploys this module again
// with deployEventSubscription = true and the key. Undeliverable events go to a dead-letter container, never lost.

param systemTopicName string
param location string
param tags object

param storageAccountName string

@description('Container (in the same account) for events that could not be delivered.')
param deadLetterContainerName string

@description('Container watched for new blobs.')
param incomingContainerName string = 'incoming'

@description('Create or update the event subscription. Needs webhookUrl.')
param deployEventSubscription bool = false

@description('The blob extension webhook: https://<app>/runtime/webhooks/blobs?functionName=Host.Functions.<name>&code=<blobs_extension key>. Secure: the key is in it.')
@secure()
param webhookUrl string = ''

@description('Delivery attempts before an event is dead-lettered.')
@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@description('Minutes an event is retried before it is dead-lettered.')
@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deadLetter 'containers' existing = {
      name: deadLetterContainerName
    }
  }
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  // Its own identity writes dead letters: the account accepts no shared key, so Event Grid must use Entra ID too.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The topic may write to the dead-letter container and nowhere else.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage::blobService::deadLetter
  name: guid(storage::blobService::deadLetter.id, systemTopic.id, storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = if (deployEventSubscription) {
  parent: systemTopic
  name: 'ingest-incoming'
  dependsOn: [deadLetterWriter]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: webhookUrl
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${incomingContainerName}/'
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output systemTopicName string = systemTopic.name
output eventSubscriptionDeployed bool = deployEventSubscription
