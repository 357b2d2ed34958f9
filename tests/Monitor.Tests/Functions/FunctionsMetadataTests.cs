using System.Text.Json;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>The function app's build output must declare both triggers, as the Functions host reads them.</summary>
public sealed class FunctionsMetadataTests
{
    [Fact]
    public void Metadata_lists_the_event_grid_blob_trigger_and_the_timer_trigger()
    {
        var bin = Path.Combine(RepoPaths.Root, "functions", "Monitor.Functions", "bin");
        var metadataFile = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        Assert.True(metadataFile is not null, $"no functions.metadata under {bin}: build Monitor.sln first (scripts/test.sh does)");

        using var doc = JsonDocument.Parse(File.ReadAllText(metadataFile));
        var functions = doc.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);

        var ingest = functions["IngestFeed"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");
        Assert.Equal("incoming/{name}", ingest.GetProperty("path").GetString());
        Assert.Equal("MonitorStorage", ingest.GetProperty("connection").GetString());
        Assert.Equal("EventGrid", ingest.GetProperty("source").GetString());

        var sweep = functions["OverdueSweep"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "timerTrigger");
        Assert.Equal("%OverdueSweepSchedule%", sweep.GetProperty("schedule").GetString());
    }
}
