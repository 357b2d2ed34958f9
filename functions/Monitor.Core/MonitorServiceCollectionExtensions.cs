using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Alerts;
using Monitor.Core.Config;
using Monitor.Core.Digests;
using Monitor.Core.Feeds;
using Monitor.Core.Ingest;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using NodaTime;

namespace Monitor.Core;

public static class MonitorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage clients (from the one <see cref="StorageConnection.Name"/> setting), the options and
    /// the core services that the function app and the local host share.
    /// </summary>
    public static IServiceCollection AddMonitorCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<MonitorOptions>(MonitorOptions.Section);
        services.AddValidatedOptions<FeedLimits>(FeedLimits.Section);

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

        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddMonitorStorage();
        services.AddSingleton<MonitorConfiguration>();
        services.AddMonitorIngest();
        // One way: the sweep raises and delivers alerts; the digest and reporting only read state.
        services.AddMonitorAlerts();
        services.AddMonitorSweep();
        services.AddMonitorDigest();
        services.AddMonitorReporting();
        return services;
    }

    /// <summary>Options bound to <paramref name="section"/>, checked against their annotations when the host starts.</summary>
    internal static IServiceCollection AddValidatedOptions<TOptions>(this IServiceCollection services, string section) where TOptions : class
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
