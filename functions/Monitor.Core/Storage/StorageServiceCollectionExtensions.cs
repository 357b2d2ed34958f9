using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The storage clients, from the one <see cref="StorageConnection.Name"/> setting; the storage contract and one store
    /// per table.
    /// </summary>
    public static IServiceCollection AddMonitorStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAzureClients(clients =>
        {
            // Policies registered as IStoragePolicyProvider (tests, benchmark: counters, fault injection); none in production.
            clients.ConfigureDefaults((options, provider) => StoragePolicies.Attach(options, provider));
            var connection = configuration.GetSection(StorageConnection.Name);
            if (!string.IsNullOrWhiteSpace(connection.Value))
            {
                // Locally: UseDevelopmentStorage=true or any Azurite connection string.
                clients.AddBlobServiceClient(connection.Value);
                clients.AddTableServiceClient(connection.Value);
                clients.AddQueueServiceClient(connection.Value);
                return;
            }
            // In Azure: identity-based, as the Functions host reads it (MonitorStorage__blobServiceUri, ...).
            var blobUri = connection["blobServiceUri"];
            var tableUri = connection["tableServiceUri"];
            var queueUri = connection["queueServiceUri"];
            if (blobUri is null || tableUri is null || queueUri is null)
            {
                // Nothing configured: the emulator on its default ports, so a bare local run still works.
                clients.AddBlobServiceClient(StorageConnection.DevelopmentStorage);
                clients.AddTableServiceClient(StorageConnection.DevelopmentStorage);
                clients.AddQueueServiceClient(StorageConnection.DevelopmentStorage);
                return;
            }
            TokenCredential credential = string.Equals(connection["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
                ? new ManagedIdentityCredential(connection["clientId"] is { Length: > 0 } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned)
                : new DefaultAzureCredential();
            clients.AddBlobServiceClient(new Uri(blobUri)).WithCredential(credential);
            clients.AddTableServiceClient(new Uri(tableUri)).WithCredential(credential);
            clients.AddQueueServiceClient(new Uri(queueUri)).WithCredential(credential);
        });

        return services
            .AddSingleton<MonitorStorage>()
            .AddSingleton<RequestStore>()
            .AddSingleton<RequestEventStore>()
            .AddSingleton<MatchStore>()
            .AddSingleton<RequestTimeline>()
            .AddSingleton<RejectStore>()
            .AddSingleton<FeedRunStore>()
            .AddSingleton<AlertStore>()
            .AddSingleton<AlertDeliveryStore>()
            .AddSingleton<SweepScheduleStore>()
            .AddSingleton<PeriodStatsStore>()
            .AddSingleton<PullStateStore>()
            .AddSingleton<ReportingTableReader>();
    }
}
