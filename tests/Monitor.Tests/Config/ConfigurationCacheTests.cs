using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Config;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Config;

/// <summary>The configuration is read once per change of its documents, not once per feed or sweep.</summary>
public sealed class ConfigurationCacheTests
{
    [Fact]
    public async Task The_snapshot_is_kept_until_a_document_changes_and_then_read_again()
    {
        await using var test = new TestStorage();
        var configuration = test.Services.GetRequiredService<MonitorConfiguration>();

        var first = await configuration.LoadAsync(CancellationToken.None);
        Assert.Same(first, await configuration.LoadAsync(CancellationToken.None));

        // A state blob beside the documents (the sweep lock, the index marker) is not configuration.
        await test.Storage.Config.GetBlobClient("_state/requests-changed").UploadAsync(BinaryData.FromString("x"), overwrite: true);
        Assert.Same(first, await configuration.LoadAsync(CancellationToken.None));

        await test.Storage.Config.GetBlobClient(MonitorConfiguration.SourcesBlob)
            .UploadAsync(BinaryData.FromString("""{"parties": ["US", "CN", "RU"], "sources": {"liaison-ru": "RU"}}"""), overwrite: true);
        var changed = await configuration.LoadAsync(CancellationToken.None);
        Assert.NotSame(first, changed);
        Assert.Equal("RU", changed.Sources.PartyOf(null, "liaison-ru"));
        Assert.Null(first.Sources.PartyOf(null, "liaison-ru"));

        await test.Storage.Config.GetBlobClient(MonitorConfiguration.SourcesBlob).DeleteAsync();
        var removed = await configuration.LoadAsync(CancellationToken.None);
        Assert.NotSame(changed, removed);
        Assert.Null(removed.Sources.PartyOf(null, "liaison-ru"));
    }

    [Fact]
    public async Task A_new_calendar_is_seen_by_the_next_load()
    {
        await using var test = new TestStorage();
        var configuration = test.Services.GetRequiredService<MonitorConfiguration>();
        Assert.Null((await configuration.LoadAsync(CancellationToken.None)).CalendarOf("RU"));

        await test.Storage.Config.GetBlobClient($"{MonitorConfiguration.CalendarsFolder}RU.json").UploadAsync(BinaryData.FromString(
            """{"party": "RU", "timeZone": "Europe/Moscow", "workingHours": {"monday": [{"start": "09:00", "end": "18:00"}]}}"""), overwrite: true);

        Assert.NotNull((await configuration.LoadAsync(CancellationToken.None)).CalendarOf("RU"));
    }
}
