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

    /// <summary>In Azure the host puts a blob it gave up on on the blob trigger's poison queue; a function records it.</summary>
    [Fact]
    public void Metadata_lists_the_poison_queue_trigger_on_the_storage_connection()
    {
        var functions = FunctionsMetadata.Load();

        Assert.True(functions.ContainsKey("RecordPoisonBlob"), "RecordPoisonBlob is not in functions.metadata");
        var poison = functions["RecordPoisonBlob"].GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "queueTrigger");
        Assert.Equal("webjobs-blobtrigger-poison", poison.GetProperty("queueName").GetString());
        Assert.Equal("MonitorStorage", poison.GetProperty("connection").GetString());
    }

    /// <summary>Another configuration's build, newer but stale, is not the one under test.</summary>
    [Fact]
    public void Metadata_is_read_from_the_build_under_test_not_the_newest_build()
    {
        var project = Directory.CreateTempSubdirectory("functions-project-");
        try
        {
            var underTest = FunctionsMetadata.PathOfBuildUnderTest(project.FullName);
            Directory.CreateDirectory(Path.GetDirectoryName(underTest)!);
            File.WriteAllText(underTest, """[{"name":"UnderTest","bindings":[]}]""");
            File.SetLastWriteTimeUtc(underTest, DateTime.UtcNow.AddHours(-1));
            var other = Path.Combine(project.FullName, "bin", "Other", "net0.0", "functions.metadata");
            Directory.CreateDirectory(Path.GetDirectoryName(other)!);
            File.WriteAllText(other, """[{"name":"Stale","bindings":[]}]""");

            Assert.Equal(["UnderTest"], FunctionsMetadata.Load(project.FullName).Keys);
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }
}
