using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;

namespace Monitor.Functions;

/// <summary>A blob landed in the drop zone: ingest it. Event Grid delivers the event (no container polling).</summary>
public sealed partial class IngestFeed(FeedIngestor ingestor, ILogger<IngestFeed> logger)
{
    [Function(nameof(IngestFeed))]
    public async Task Run(
        [BlobTrigger(StorageNames.IncomingContainer + "/{name}", Connection = StorageConnection.Name, Source = BlobTriggerSource.EventGrid)] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
    {
        var run = await ingestor.IngestAsync(name, cancellationToken);
        LogIngested(name, run.Outcome, run.Records, run.Matches);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingested {Blob}: {Outcome}, {Records} records, {Matches} matches")]
    private partial void LogIngested(string blob, string outcome, int records, int matches);
}
