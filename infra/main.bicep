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

@description('NCRONTAB schedule of the PullFeeds timer; on each tick it pulls the sources of config/sources.json whose own pull schedule is due.')
param pullFeedsSchedule string = '0 * * * * *'

@description('App settings that config/sources.json names in passwordSetting / tokenSetting, e.g. [\'PARTNER_TAXII_PASSWORD\']: each becomes a Key Vault reference to the secret of the same name with dashes (PARTNER-TAXII-PASSWORD).')
param pullSecretSettings array = []

@description('Replication of the storage account.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS', 'Standard_RAGRS', 'Standard_RAGZRS'])
param storageSku string = 'Standard_LRS'

@description('Extra app settings such as the Feeds__Max* input limits (README "Configuration"). No secrets.')
param extraAppSettings object = {}

@description('SMTP relay of the alert and digest e-mails (app setting Monitor__Email__Host), e.g. smtp.azurecomm.net for Azure Communication Services or smtp.office365.com; empty: no e-mail.')
param emailHost string = ''

@description('Port of the SMTP relay.')
param emailPort int = 587

@description('Sender address of the e-mails (a verified MailFrom address of the relay).')
param emailFrom string = ''

@description('TLS of the SMTP connection: starttls (port 587), tls (port 465) or none.')
@allowed(['starttls', 'tls', 'none'])
param emailSecurity string = 'starttls'

@description('SMTP user name (ACS: the SMTP username of the Communication Services resource); empty: no sign-in.')
param emailUserName string = ''

@description('SMTP password; stored in Key Vault only, read by the function app through a Key Vault reference. Pass it at deployment (azd env set / a pipeline secret), never in a file.')
@secure()
param smtpPassword string = ''

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

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  name: 'keyvault'
  params: {
    name: 'kv-mon-${take(token, 17)}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    smtpPassword: smtpPassword
  }
}

// The e-mail settings (README "Alerts"): the password is a Key Vault reference named by Monitor__Email__PasswordSetting.
var emailRelaySettings = empty(emailHost) ? {} : {
  Monitor__Email__Host: emailHost
  Monitor__Email__Port: string(emailPort)
  Monitor__Email__From: emailFrom
  Monitor__Email__Security: emailSecurity
}
var emailSignInSettings = empty(emailUserName) ? {} : {
  Monitor__Email__UserName: emailUserName
  Monitor__Email__PasswordSetting: 'SmtpPassword'
  SmtpPassword: '@Microsoft.KeyVault(VaultName=${keyVault.outputs.name};SecretName=${keyVault.outputs.smtpSecretName})'
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  name: 'functionapp'
  // The host reaches storage (and resolves Key Vault references) on its first start: the roles must exist by then.
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
    pullFeedsSchedule: pullFeedsSchedule
    keyVaultName: keyVault.outputs.name
    pullSecretSettings: pullSecretSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    emailAppSettings: union(emailRelaySettings, emailSignInSettings)
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
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
// The federated credential that lets App Service Authentication use the identity instead of a secret trusts this subject.
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.systemTopicName
output EVENTGRID_DEADLETTER_CONTAINER string = deadLetterContainerName
