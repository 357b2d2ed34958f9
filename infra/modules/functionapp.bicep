// The function app on Flex Consumption (FC1): .NET isolated worker, a user-assigned identity, and identity-based
// connections only. No setting holds a key: AzureWebJobsStorage and MonitorStorage are the "__serviceUri +
// __credential + __clientId" forms, the deployment package is fetched with the identity, and telemetry is sent with it.

param planName string
param appName string
param location string
param tags object

@description('Resource ID of the user-assigned identity.')
param identityId string

@description('Client ID of the user-assigned identity (what identity-based connections name).')
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string

@description('Container of the deployment package in the storage account.')
param deploymentContainerName string

@description('Application Insights connection string (identifies the resource; not a secret while local auth is disabled).')
param applicationInsightsConnectionString string

@description('NCRONTAB schedule of the overdue sweep (app setting OverdueSweepSchedule).')
param overdueSweepSchedule string

@description('NCRONTAB schedule of the daily digest runs (app setting DailyDigestSchedule); the first run at or after Alerts__DigestTimeOfDayUtc writes the day\'s digest.')
param dailyDigestSchedule string

@description('NCRONTAB schedule of the PullFeeds timer (app setting PullFeedsSchedule).')
param pullFeedsSchedule string

@description('The Key Vault that holds the pull secrets.')
param keyVaultName string

@description('App settings that are Key Vault references: the passwordSetting / tokenSetting names of config/sources.json.')
param pullSecretSettings array = []

@description('Most instances Flex Consumption may scale out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('.NET isolated worker version of the runtime stack.')
param dotnetVersion string = '10.0'

@description('The Monitor__Email__* settings; a password only as a Key Vault reference.')
param emailAppSettings object = {}

@description('Extra app settings (e.g. Feeds__MaxFeedBytes); merged over the defaults. Must not hold secrets.')
param extraAppSettings object = {}

@description('Client ID of the Entra ID app registration that signs callers in and defines the app roles Monitor.Reader and Monitor.Operator.')
param authClientId string

// Identity-based connections, as the Functions host (AzureWebJobsStorage) and Microsoft.Extensions.Azure (MonitorStorage)
// read them: the service URIs, credential = managedidentity and the user-assigned identity's client ID. Nothing here is
// a secret; extraAppSettings is merged over it.
var appSettings = {
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  MonitorStorage__blobServiceUri: storageBlobEndpoint
  MonitorStorage__queueServiceUri: storageQueueEndpoint
  MonitorStorage__tableServiceUri: storageTableEndpoint
  MonitorStorage__credential: 'managedidentity'
  MonitorStorage__clientId: identityClientId
  OverdueSweepSchedule: overdueSweepSchedule
  DailyDigestSchedule: dailyDigestSchedule
  PullFeedsSchedule: pullFeedsSchedule
  // Identifies the Application Insights resource and its ingestion endpoint; it cannot send on its own because the
  // resource has local auth disabled. Telemetry is authenticated with the identity:
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
  // App Service Authentication proves itself to Entra ID with the managed identity (a federated credential on the app
  // registration) instead of a client secret: the setting names the identity, it holds no secret.
  OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID: identityClientId
}

// Pull secrets: each named setting is a Key Vault reference (secret names take dashes, not underscores), resolved by the
// platform with the app's identity (keyVaultReferenceIdentity), so the secret never appears in the app's configuration.
var secretReferences = toObject(pullSecretSettings, setting => setting, setting => '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${replace(setting, '_', '-')})')

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    // Linux.
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  // azd finds the app to deploy the 'functions' service to by this tag.
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings (pull secrets, the SMTP password) are resolved with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'appsettings'
  properties: union(appSettings, secretReferences, emailAppSettings, extraAppSettings)
}

// App Service Authentication (Easy Auth) with Entra ID in front of every route: a caller without a valid token for the
// app registration gets 401 from the platform, before the code runs; a signed-in caller reaches the code with its claims
// in X-MS-CLIENT-PRINCIPAL, and the code checks the app role of the route (Monitor.Reader for the reporting API and the
// OData feed, Monitor.Operator for the console and operations). Power BI and Excel sign in with "Organizational account":
// they find the authority in the 401's WWW-Authenticate header and ask for a token for the app's URL, hence that audience.
resource auth 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // Event Grid cannot sign in: the blob extension's webhook is authorised by the system key in its URL.
      excludedPaths: [
        '/runtime/webhooks/blobs'
      ]
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: authClientId
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            'https://${app.properties.defaultHostName}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

// No publishing passwords: deployment goes through Entra ID (azd, az functionapp deploy) only.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
