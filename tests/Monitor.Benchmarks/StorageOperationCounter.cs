using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

using Monitor.Core.Storage;

namespace Monitor.Benchmarks;

/// <summary>The kinds of storage transaction the counter tells apart (one billed request each).</summary>
public enum StorageOperation
{
    /// <summary>An entity group transaction (POST $batch): up to 100 writes in one partition.</summary>
    TableBatch,
    /// <summary>One entity insert, upsert, update, merge or delete.</summary>
    TableWrite,
    /// <summary>One entity read by PartitionKey and RowKey.</summary>
    TablePointRead,
    /// <summary>One page of a table query.</summary>
    TableQuery,
    /// <summary>Creating, deleting or listing tables.</summary>
    TableAdmin,
    /// <summary>A blob download (one range of a streamed read counts once).</summary>
    BlobRead,
    /// <summary>A blob HEAD: properties and metadata.</summary>
    BlobProperties,
    /// <summary>Upload, block, block list, copy, metadata or delete of a blob.</summary>
    BlobWrite,
    /// <summary>One page of a blob listing.</summary>
    BlobList,
    /// <summary>Container and service operations.</summary>
    BlobAdmin,
    QueueSend,
    /// <summary>Receive or peek.</summary>
    QueueReceive,
    /// <summary>Update, delete or clear of messages.</summary>
    QueueUpdate,
    /// <summary>Creating, deleting or configuring a queue.</summary>
    QueueAdmin,
}

/// <summary>
/// Counts storage transactions by <see cref="StorageOperation"/>. Register it in DI as an
/// <see cref="IStoragePolicyProvider"/> and every storage client of the core counts into it. It sits per retry,
/// so a retried request counts each attempt, as the service bills it. The counts are a function of what the code
/// asks the service to do, not of timing, so tests can assert them exactly.
/// </summary>
/// <param name="countBatchEntities">
/// Also count the operations inside each table batch (<see cref="BatchEntities"/>), by scanning the batch body
/// once more before it is sent: exact "entities written", at a small cost in CPU.
/// </param>
public sealed class StorageOperationCounter(bool countBatchEntities = false) : IStoragePolicyProvider
{
    private readonly long[] _counts = new long[Enum.GetValues<StorageOperation>().Length];
    private long _batchEntities;

    public bool CountsBatchEntities { get; } = countBatchEntities;

    public HttpPipelinePosition Position => HttpPipelinePosition.PerRetry;

    public HttpPipelinePolicy CreatePolicy(StorageService service) => new CountingPolicy(this, service);

    public long this[StorageOperation operation] => Interlocked.Read(ref _counts[(int)operation]);

    /// <summary>Entity operations inside the table batches sent so far (0 unless counting was asked for).</summary>
    public long BatchEntities => Interlocked.Read(ref _batchEntities);

    public StorageOperationCounts Snapshot()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Interlocked.Read(ref _counts[i]);
        }
        return new StorageOperationCounts(copy, Interlocked.Read(ref _batchEntities));
    }

    public void Record(StorageOperation operation) => Interlocked.Increment(ref _counts[(int)operation]);

    /// <summary>What a request is, from its service, method and URI alone (path-style Azurite URIs and Azure host names alike).</summary>
    public static StorageOperation Classify(StorageService service, RequestMethod method, Uri uri)
    {
        var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimEnd('/');
        var last = path[(path.LastIndexOf('/') + 1)..];
        var query = uri.Query;
        return service switch
        {
            StorageService.Table => ClassifyTable(method, last),
            StorageService.Blob => ClassifyBlob(method, query),
            _ => ClassifyQueue(method, path, last),
        };
    }

    private static StorageOperation ClassifyTable(RequestMethod method, string last)
    {
        if (last == "$batch")
        {
            return StorageOperation.TableBatch;
        }
        if (last == "Tables" || last.StartsWith("Tables(", StringComparison.Ordinal))
        {
            return StorageOperation.TableAdmin;
        }
        if (method == RequestMethod.Get)
        {
            return last.Contains("(PartitionKey=", StringComparison.Ordinal) ? StorageOperation.TablePointRead : StorageOperation.TableQuery;
        }
        return StorageOperation.TableWrite;
    }

    private static StorageOperation ClassifyBlob(RequestMethod method, string query)
    {
        if (query.Contains("comp=list", StringComparison.Ordinal))
        {
            return StorageOperation.BlobList;
        }
        if (query.Contains("restype=container", StringComparison.Ordinal) || query.Contains("restype=service", StringComparison.Ordinal))
        {
            return StorageOperation.BlobAdmin;
        }
        if (method == RequestMethod.Get)
        {
            return StorageOperation.BlobRead;
        }
        return method == RequestMethod.Head ? StorageOperation.BlobProperties : StorageOperation.BlobWrite;
    }

    private static StorageOperation ClassifyQueue(RequestMethod method, string path, string last)
    {
        var onMessages = last == "messages" || path.Contains("/messages/", StringComparison.Ordinal);
        if (!onMessages)
        {
            return StorageOperation.QueueAdmin;
        }
        if (method == RequestMethod.Post)
        {
            return StorageOperation.QueueSend;
        }
        return method == RequestMethod.Get ? StorageOperation.QueueReceive : StorageOperation.QueueUpdate;
    }

    private sealed class CountingPolicy(StorageOperationCounter counter, StorageService service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            var operation = Classify(service, message.Request.Method, message.Request.Uri.ToUri());
            counter.Record(operation);
            if (operation == StorageOperation.TableBatch && counter.CountsBatchEntities && message.Request.Content is { } content)
            {
                // Each operation of a changeset is one MIME part of type application/http.
                using var scan = new PatternCountingStream("Content-Type: application/http"u8.ToArray());
                content.WriteTo(scan, message.CancellationToken);
                Interlocked.Add(ref counter._batchEntities, scan.Matches);
            }
        }
    }

    /// <summary>A write-only sink that counts occurrences of a byte pattern, across write boundaries.</summary>
    private sealed class PatternCountingStream(byte[] pattern) : Stream
    {
        private int _matched;

        public long Matches { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            foreach (var b in buffer)
            {
                // The pattern has no proper prefix that is also a suffix, so a mismatch restarts at 0 (or 1).
                _matched = b == pattern[_matched] ? _matched + 1 : b == pattern[0] ? 1 : 0;
                if (_matched == pattern.Length)
                {
                    Matches++;
                    _matched = 0;
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>An immutable set of counts; subtract two snapshots to get what happened in between.</summary>
public sealed class StorageOperationCounts
{
    private readonly long[] _counts;

    internal StorageOperationCounts(long[] counts, long batchEntities)
    {
        _counts = counts;
        BatchEntities = batchEntities;
    }

    public long this[StorageOperation operation] => _counts[(int)operation];

    /// <summary>Entity operations inside the table batches (when the counter counts them).</summary>
    public long BatchEntities { get; }

    /// <summary>Table entities written: the operations inside batches plus the single-entity writes.</summary>
    public long EntitiesWritten => BatchEntities + this[StorageOperation.TableWrite];

    public long Total => _counts.Sum();

    /// <summary>Transactions that change stored data: table batches and writes, blob writes, queue sends and updates.</summary>
    public long Writes => this[StorageOperation.TableBatch] + this[StorageOperation.TableWrite] + this[StorageOperation.BlobWrite]
        + this[StorageOperation.QueueSend] + this[StorageOperation.QueueUpdate];

    public long TableWrites => this[StorageOperation.TableBatch] + this[StorageOperation.TableWrite];

    public long Reads => this[StorageOperation.TablePointRead] + this[StorageOperation.TableQuery] + this[StorageOperation.BlobRead]
        + this[StorageOperation.BlobProperties] + this[StorageOperation.BlobList] + this[StorageOperation.QueueReceive];

    public StorageOperationCounts Minus(StorageOperationCounts earlier)
    {
        var difference = new long[_counts.Length];
        for (var i = 0; i < difference.Length; i++)
        {
            difference[i] = _counts[i] - earlier._counts[i];
        }
        return new StorageOperationCounts(difference, BatchEntities - earlier.BatchEntities);
    }

    /// <summary>"table.batch=41 table.write=1 ..." for every non-zero kind, in enum order.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var operation in Enum.GetValues<StorageOperation>())
        {
            if (this[operation] != 0)
            {
                text.Append(text.Length == 0 ? "" : " ").Append(Name(operation)).Append('=').Append(this[operation]);
            }
        }
        return text.Length == 0 ? "none" : text.ToString();
    }

    /// <summary>"TableBatch" as "table.batch".</summary>
    public static string Name(StorageOperation operation)
    {
        var name = operation.ToString();
        var split = 1;
        while (split < name.Length && !char.IsUpper(name[split]))
        {
            split++;
        }
        return $"{name[..split].ToLowerInvariant()}.{ToKebab(name[split..])}";
    }

    private static string ToKebab(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
