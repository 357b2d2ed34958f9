using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.Storage;

/// <summary>The storage service a client talks to.</summary>
public enum StorageService
{
    Blob,
    Table,
    Queue,
}

/// <summary>
/// Registered in DI (as a singleton of this interface), it adds one policy to the pipeline of every Blob, Table
/// and Queue client that <see cref="MonitorServiceCollectionExtensions.AddMonitorCore"/> creates. Nothing in
/// production registers one; tests and the benchmark use it to count storage transactions and to inject faults
/// (internal: a test-only hook, visible to the test projects).
/// </summary>
internal interface IStoragePolicyProvider
{
    /// <summary>PerRetry sees every attempt (what the service bills and what a fault hits); PerCall sees each logical call once.</summary>
    HttpPipelinePosition Position { get; }

    HttpPipelinePolicy CreatePolicy(StorageService service);
}

internal static class StoragePolicies
{
    /// <summary>Adds the policies of every registered <see cref="IStoragePolicyProvider"/>, in registration order.</summary>
    public static void Attach(ClientOptions options, IServiceProvider services)
    {
        StorageService? service = options switch
        {
            BlobClientOptions => StorageService.Blob,
            TableClientOptions => StorageService.Table,
            QueueClientOptions => StorageService.Queue,
            _ => null,
        };
        if (service is null)
        {
            return;
        }
        foreach (var provider in services.GetServices<IStoragePolicyProvider>())
        {
            options.AddPolicy(provider.CreatePolicy(service.Value), provider.Position);
        }
    }
}
