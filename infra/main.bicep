// Monitor on Azure: `azd up` provisions this, deploys functions/Monitor.Functions, then the postdeploy hook
// (infra/hooks/postdeploy.sh) creates the Event Grid subscription once the blobs_extension key exists.
// No keys anywhere: shared-key access is off on the storage account, every connection is the function app's
// user-assigned managed identity, and Application Insights accepts only Entra ID ingestion.
targetScope = 'subscription'

@description('azd environment name; names the resource group and seeds the resource names.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region of every resource (one that offers Flex Consumption).')
@minLength(1)
param location string

@description('Object ID of the deploying user or pipeline, granted data access to push feeds and read tables; empty grants nothing.')
param principalId string = ''

@description('Type of that principal.')
@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Most instances the function app may scale out to (Flex Consumption).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each function app instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('NCRONTAB schedule of the overdue sweep.')
param overdueSweepSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the daily digest runs; the first run at or after Alerts__DigestTimeOfDayUtc writes the day\'s digest.')
param dailyDigestSchedule string = '0 */5 * * * *'

@description('Replication of the storage account.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_RAGRS', 'Standard_RAGZRS'])
param storageSku string = 'Standard_LRS'

@description('Extra app settings such as the Feeds__Max* input limits (README "Configuration"). No secrets.')
param extraAppSettings object = {}

@description('Client ID of the Entra ID app registration for sign-in (App Service Authentication) with the app roles of infra/auth/app-roles.json. Bicep cannot create it offline (app registrations are Microsoft Graph objects): see README "Sign-in and roles".')
@minLength(1)
param authClientId string

@description('Create the Event Grid subscription (the postdeploy hook sets it, with the key).')
param deployEventSubscription bool = false

@description('The function app\'s blobs_extension system key, passed by the postdeploy hook only.')
@secure()
param blobsExtensionKey string = ''

var tags = { 'azd-env-name': environmentName, application: 'monitor' }
var token = toLower(uniqueString(subscription().id, environmentName, location))
var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'eventgrid-deadletter'

resource rg 'Microsoft.Resources/resourceGroups@2024-11-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  name: 'identity'
  params: {
    name: 'id-monitor-${token}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    name: 'stmon${token}'
    location: location
    tags: tags
    skuName: storageSku
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-monitor-${token}'
    applicationInsightsName: 'appi-monitor-${token}'
    location: location
    tags: tags
  }
}

module rbac 'modules/rbac.bicep' = {
  scope: rg
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityId: identity.outputs.id
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  name: 'functionapp'
  // The host reaches storage on its first start: the roles must exist by then.
  dependsOn: [rbac]
  params: {
    planName: 'plan-monitor-${token}'
    appName: 'func-monitor-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    overdueSweepSchedule: overdueSweepSchedule
    dailyDigestSchedule: dailyDigestSchedule
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    extraAppSettings: extraAppSettings
    authClientId: authClientId
  }
}

module eventGrid 'modules/eventgrid.bicep' = {
  scope: rg
  name: 'eventgrid'
  params: {
    systemTopicName: 'evgt-monitor-${token}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deadLetterContainerName: deadLetterContainerName
    deployEventSubscription: deployEventSubscription
    webhookUrl: 'https://${functionApp.outputs.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.IngestFeed&code=${blobsExtensionKey}'
  }
}

// azd stores these in the environment; the postdeploy hook reads them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOST_NAME string = functionApp.outputs.defaultHostName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
// The federated credential that lets App Service Authentication use the identity instead of a secret trusts this subject.
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.systemTopicName
output EVENTGRID_DEADLETTER_CONTAINER string = deadLetterContainerName
