using Azure;
using Azure.Storage.Blobs.Models;
using Monitor.Core.Storage;

namespace Monitor.Core.Pull;

/// <summary>
/// Writes pulled content into the drop zone, <c>incoming/incidents/&lt;source&gt;/...</c>, where the blob ingest reads
/// it once like any dropped file. Names are chosen by each kind so that content pulled again after a crash lands on the
/// blob it already has (or, for an HTTP file, is recorded as a duplicate by its content hash).
/// </summary>
public sealed class DropZoneWriter(MonitorStorage storage)
{
    public static string Folder(string source) => $"{StorageNames.IncidentsFolder}{source.ToLowerInvariant()}/";

    /// <summary>Streams <paramref name="content"/> to a new blob; false (nothing written) when the name already exists.</summary>
    public async Task<bool> WriteNewAsync(string blobName, Stream content, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Incoming.GetBlobClient(blobName).UploadAsync(content, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Streams <paramref name="content"/> to a blob (a new version when the name exists).</summary>
    public async Task WriteAsync(string blobName, Stream content, CancellationToken cancellationToken) =>
        await storage.Incoming.GetBlobClient(blobName).UploadAsync(content, overwrite: true, cancellationToken);
}
