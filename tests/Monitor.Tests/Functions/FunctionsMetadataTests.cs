using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>The function app's build output must declare both triggers, as the Functions host reads them.</summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Metadata_lists_the_event_grid_blob_trigger_and_the_timer_trigger()
    {
        var functions = FunctionsMetadata.Load();

        var ingest = functions["IngestFeed"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");
        Assert.Equal("incoming/{name}", ingest.GetProperty("path").GetString());
        Assert.Equal("MonitorStorage", ingest.GetProperty("connection").GetString());
        Assert.Equal("EventGrid", ingest.GetProperty("source").GetString());

        var sweep = functions["OverdueSweep"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "timerTrigger");
        Assert.Equal("%OverdueSweepSchedule%", sweep.GetProperty("schedule").GetString());
    }

    /// <summary>The daily digest runs on its own timer, not as part of the sweep.</summary>
    [Fact]
    public void Metadata_lists_the_daily_digest_timer_on_its_own_schedule_setting()
    {
        var functions = FunctionsMetadata.Load();

        var digest = functions["DailyDigest"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "timerTrigger");
        Assert.Equal("%DailyDigestSchedule%", digest.GetProperty("schedule").GetString());
    }

    /// <summary>Pulling sources has its own timer; each source's own schedule decides whether it is pulled on a tick.</summary>
    [Fact]
    public void Metadata_lists_the_pull_timer_on_its_own_schedule_setting()
    {
        var functions = FunctionsMetadata.Load();

        var pull = functions["PullFeeds"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "timerTrigger");
        Assert.Equal("%PullFeedsSchedule%", pull.GetProperty("schedule").GetString());
    }
}
