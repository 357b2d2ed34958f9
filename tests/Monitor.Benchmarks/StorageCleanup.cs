using Azure;
using Monitor.Core.Storage;

namespace Monitor.Benchmarks;

/// <summary>Tests and benchmarks clean up after themselves: everything of one storage prefix goes.</summary>
internal static class StorageCleanup
{
    public static async Task DeleteAllAsync(this MonitorStorage storage, CancellationToken cancellationToken)
    {
        var work = new List<Task>();
        work.AddRange(StorageNames.Containers.Select(c => storage.Container(c).DeleteIfExistsAsync(cancellationToken: cancellationToken)));
        work.AddRange(StorageNames.Tables.Select(async t =>
        {
            try
            {
                await storage.Table(t).DeleteAsync(cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }));
        work.Add(storage.AlertsQueue.DeleteIfExistsAsync(cancellationToken));
        await Task.WhenAll(work);
    }
}
