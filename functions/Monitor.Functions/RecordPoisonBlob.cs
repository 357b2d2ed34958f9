using Azure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Monitor.Core;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;

namespace Monitor.Functions;

/// <summary>
/// When IngestFeed fails on every delivery of a blob, the Functions host gives up and puts a message on the blob
/// trigger's poison queue. This records it as the local host does: a <c>poison</c> FeedRuns row and a copy in quarantine.
/// </summary>
public sealed partial class RecordPoisonBlob(FeedIngestor ingestor, ILogger<RecordPoisonBlob> logger)
{
    /// <summary>The queue the blob extension writes to, in the storage account of the trigger's connection.</summary>
    public const string PoisonQueue = "webjobs-blobtrigger-poison";

    /// <summary>How often the host runs a blob trigger before it gives up (the blob extension's default).</summary>
    public const int HostAttempts = 5;

    [Function(nameof(RecordPoisonBlob))]
    public async Task Run([QueueTrigger(PoisonQueue, Connection = StorageConnection.Name)] PoisonBlobMessage message, CancellationToken cancellationToken)
    {
        if (message.ContainerName != StorageNames.IncomingContainer)
        {
            LogOtherContainer(message.ContainerName, message.BlobName);
            return;
        }
        var error = $"the Functions host gave up on this blob version after {HostAttempts} failed runs of {message.FunctionId} (their exceptions are in Application Insights)";
        var run = await ingestor.MarkPoisonAsync(message.BlobName, error, HostAttempts, cancellationToken, new ETag(message.ETag));
        if (run is null)
        {
            LogSuperseded(message.BlobName, message.ETag);
            return;
        }
        LogRecorded(message.BlobName, run.Outcome);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Blob {Blob} recorded as {Outcome}: the host gave up on it")]
    private partial void LogRecorded(string blob, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison message for {Blob} (ETag {ETag}): that version was deleted or replaced since; nothing recorded")]
    private partial void LogSuperseded(string blob, string etag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poison message for {Container}/{Blob}: not the drop zone; ignored")]
    private partial void LogOtherContainer(string container, string blob);
}

/// <summary>The message the blob extension puts on <see cref="RecordPoisonBlob.PoisonQueue"/>.</summary>
public sealed record PoisonBlobMessage(string FunctionId, string BlobType, string ContainerName, string BlobName, string ETag);
