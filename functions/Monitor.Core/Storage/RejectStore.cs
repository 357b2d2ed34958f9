using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The Rejects table: PK = content hash of the file, RK = ordinal within the file.</summary>
public sealed class RejectStore(MonitorStorage storage)
{
    /// <summary>Adds a reject or warning to a buffered write.</summary>
    public ValueTask AddAsync(WriteBuffer buffer, RejectEntity row, CancellationToken cancellationToken) =>
        buffer.AddAsync(storage.Rejects, row, TableUpdateMode.Replace, cancellationToken);
}
