using System.Runtime.CompilerServices;

namespace Monitor.Core.Feeds;

/// <summary>
/// The one rule by which the JSON parsers turn what <see cref="JsonStreamReader"/> finds into feed entries. Damage that
/// ends the file before any entry went out means the file is not in the format it claims: it is quarantined whole
/// (<see cref="FeedFormatException"/>). Once entries went out, that damage, like every value that cannot be read, is one
/// <see cref="FeedRejection"/>, so what was read is kept.
/// </summary>
internal static class JsonFeedEntries
{
    /// <param name="toEntries">The entries a readable value gives: one, or none for a value that is not a record.</param>
    /// <param name="entriesBefore">The parser already gave entries of this file, so damage can no longer quarantine it.</param>
    /// <exception cref="FeedFormatException">The file ends in damage before any entry.</exception>
    public static async IAsyncEnumerable<FeedEntry> ReadAsync(
        IAsyncEnumerable<JsonStreamItem> items,
        Func<JsonStreamItem, IEnumerable<FeedEntry>> toEntries,
        bool entriesBefore,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var any = entriesBefore;
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item.IsError)
            {
                if (item.IsFatal && !any)
                {
                    throw new FeedFormatException(item.Error!, item.Path);
                }

                any = true;
                yield return new FeedRejection(item.Path, item.Error!);
                continue;
            }

            foreach (var entry in toEntries(item))
            {
                any = true;
                yield return entry;
            }
        }
    }
}
