using Monitor.Cli;

namespace Monitor.Tests.Cli;

public sealed class PushFolderTests
{
    [Fact]
    public void A_misp_feed_folder_pushes_its_events_not_its_index()
    {
        var folder = Directory.CreateTempSubdirectory("misp-feed-");
        try
        {
            foreach (var name in new[] { "manifest.json", "hashes.csv", "b2c3d4e5-0000-4000-8000-000000000002.json", "a1b2c3d4-0000-4000-8000-000000000001.json" })
            {
                File.WriteAllText(Path.Combine(folder.FullName, name), "{}");
            }

            Assert.Equal(
                ["a1b2c3d4-0000-4000-8000-000000000001.json", "b2c3d4e5-0000-4000-8000-000000000002.json"],
                PushCommand.FilesOf(folder).Select(f => f.Name));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Another_folder_pushes_every_file_in_name_order()
    {
        var folder = Directory.CreateTempSubdirectory("feeds-");
        try
        {
            foreach (var name in new[] { "b.csv", "a.ndjson", ".hidden" })
            {
                File.WriteAllText(Path.Combine(folder.FullName, name), "x");
            }

            Assert.Equal(["a.ndjson", "b.csv"], PushCommand.FilesOf(folder).Select(f => f.Name));
            Assert.Empty(MonitorCommands.Build().Parse(["push", folder.FullName, "--kind", "incidents"]).Errors);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
