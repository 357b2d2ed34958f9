using System.Runtime.CompilerServices;

namespace Monitor.Core.Feeds;

/// <summary>
/// A MISP feed's index (<c>manifest.json</c>: event UUID → info, date, timestamp, Orgc) dropped on its own. It lists
/// events but holds none, so it gives no records: the run says what the file is and how to read the feed it indexes.
/// </summary>
internal static class MispManifest
{
    public const string Notice =
        "this is a MISP feed index (manifest.json): it lists events but holds no attributes. Pull the feed instead " +
        "(a source in config/sources.json with \"pull\": {\"kind\": \"misp-feed\", \"url\": \"<feed URL>\"}, then monitor pull), " +
        "or push the feed folder with its event files (monitor push <folder> --kind incidents --source <name>)";

    public static async IAsyncEnumerable<FeedEntry> ParseAsync(FeedSource source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        yield return new FeedNotice("$", Notice);
    }
}
