using Monitor.Benchmarks;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Storage;

public sealed class StorageOperationCounterTests
{
    [Theory]
    // Azurite (path-style: the account is the first segment) and Azure (account in the host name) alike.
    [InlineData(StorageService.Table, "POST", "http://127.0.0.1:10002/devstoreaccount1/$batch", StorageOperation.TableBatch)]
    [InlineData(StorageService.Table, "POST", "https://acct.table.core.windows.net/$batch", StorageOperation.TableBatch)]
    [InlineData(StorageService.Table, "POST", "http://127.0.0.1:10002/devstoreaccount1/Tables", StorageOperation.TableAdmin)]
    [InlineData(StorageService.Table, "DELETE", "https://acct.table.core.windows.net/Tables('Matches')", StorageOperation.TableAdmin)]
    [InlineData(StorageService.Table, "GET", "https://acct.table.core.windows.net/Tables?$filter=x", StorageOperation.TableAdmin)]
    [InlineData(StorageService.Table, "GET", "http://127.0.0.1:10002/devstoreaccount1/Requests(PartitionKey='CN',RowKey='T-1')", StorageOperation.TablePointRead)]
    [InlineData(StorageService.Table, "GET", "http://127.0.0.1:10002/devstoreaccount1/Requests()?$filter=Status%20eq%20'open'", StorageOperation.TableQuery)]
    [InlineData(StorageService.Table, "PUT", "https://acct.table.core.windows.net/FeedRuns(PartitionKey='bench',RowKey='1')", StorageOperation.TableWrite)]
    [InlineData(StorageService.Table, "PATCH", "https://acct.table.core.windows.net/Requests(PartitionKey='CN',RowKey='T-1')", StorageOperation.TableWrite)]
    [InlineData(StorageService.Table, "DELETE", "https://acct.table.core.windows.net/Requests(PartitionKey='CN',RowKey='T-1')", StorageOperation.TableWrite)]
    [InlineData(StorageService.Table, "POST", "https://acct.table.core.windows.net/Alerts", StorageOperation.TableWrite)]
    [InlineData(StorageService.Blob, "GET", "http://127.0.0.1:10000/devstoreaccount1/incoming/incidents/x/feed.csv", StorageOperation.BlobRead)]
    [InlineData(StorageService.Blob, "HEAD", "https://acct.blob.core.windows.net/archive/sha256/ab", StorageOperation.BlobProperties)]
    [InlineData(StorageService.Blob, "PUT", "https://acct.blob.core.windows.net/archive/sha256/ab", StorageOperation.BlobWrite)]
    [InlineData(StorageService.Blob, "PUT", "https://acct.blob.core.windows.net/incoming/big.csv?comp=block&blockid=AAAA", StorageOperation.BlobWrite)]
    [InlineData(StorageService.Blob, "DELETE", "https://acct.blob.core.windows.net/incoming/a.csv", StorageOperation.BlobWrite)]
    [InlineData(StorageService.Blob, "GET", "https://acct.blob.core.windows.net/incoming?restype=container&comp=list&prefix=requests/", StorageOperation.BlobList)]
    [InlineData(StorageService.Blob, "PUT", "http://127.0.0.1:10000/devstoreaccount1/incoming?restype=container", StorageOperation.BlobAdmin)]
    [InlineData(StorageService.Queue, "POST", "http://127.0.0.1:10001/devstoreaccount1/overdue-alerts/messages", StorageOperation.QueueSend)]
    [InlineData(StorageService.Queue, "GET", "https://acct.queue.core.windows.net/overdue-alerts/messages?numofmessages=32", StorageOperation.QueueReceive)]
    [InlineData(StorageService.Queue, "DELETE", "https://acct.queue.core.windows.net/overdue-alerts/messages/abc?popreceipt=x", StorageOperation.QueueUpdate)]
    [InlineData(StorageService.Queue, "PUT", "https://acct.queue.core.windows.net/overdue-alerts", StorageOperation.QueueAdmin)]
    public void A_request_is_classified_from_its_service_method_and_uri(StorageService service, string method, string uri, StorageOperation expected)
    {
        Assert.Equal(expected, StorageOperationCounter.Classify(service, RequestMethod.Parse(method), new Uri(uri)));
    }

    [Fact]
    public void Names_are_service_dot_kind()
    {
        Assert.Equal("table.batch", StorageOperationCounts.Name(StorageOperation.TableBatch));
        Assert.Equal("table.point-read", StorageOperationCounts.Name(StorageOperation.TablePointRead));
        Assert.Equal("queue.send", StorageOperationCounts.Name(StorageOperation.QueueSend));
    }

    /// <summary>A known sequence of calls through the clients that AddMonitorCore registers counts exactly, batch entities included.</summary>
    [Fact]
    public async Task The_counter_sees_every_call_of_the_core_clients_against_Azurite()
    {
        var counter = new StorageOperationCounter(countBatchEntities: true);
        await using var test = new TestStorage(configure: services => services.AddSingleton<IStoragePolicyProvider>(counter));
        await test.Storage.EnsureCreatedAsync(CancellationToken.None);
        var start = counter.Snapshot();
        Assert.True(start[StorageOperation.TableAdmin] >= StorageNames.Tables.Length);
        Assert.True(start[StorageOperation.BlobAdmin] >= StorageNames.Containers.Length);
        Assert.True(start[StorageOperation.QueueAdmin] >= 1);

        var table = test.Storage.Matches;
        await table.UpsertEntityAsync(new TableEntity("single", "1") { ["V"] = 1 });
        var batchA = Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity("a", $"{i:D4}"))).ToList();
        var batchB = Enumerable.Range(0, 37).Select(i => new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity("b", $"{i:D4}"))).ToList();
        await table.SubmitTransactionAsync(batchA);
        await table.SubmitTransactionAsync(batchB);
        await table.GetEntityAsync<TableEntity>("a", "0001");
        var rows = 0;
        await foreach (var page in table.QueryAsync<TableEntity>(maxPerPage: 50).AsPages())
        {
            rows += page.Values.Count;
        }
        Assert.Equal(138, rows);

        var blob = test.Storage.Incoming.GetBlobClient("incidents/x/a.csv");
        await blob.UploadAsync(BinaryData.FromString("record_id\nr1\n"));
        await blob.DownloadContentAsync();
        await blob.GetPropertiesAsync();
        await foreach (var _ in test.Storage.Incoming.GetBlobsAsync())
        {
        }
        await test.Storage.AlertsQueue.SendMessageAsync("hello");
        await test.Storage.AlertsQueue.ReceiveMessagesAsync(maxMessages: 1);

        var counts = counter.Snapshot().Minus(start);
        Assert.Equal(
            "table.batch=2 table.write=1 table.point-read=1 table.query=3 blob.read=1 blob.properties=1 blob.write=1 blob.list=1 queue.send=1 queue.receive=1",
            counts.ToString());
        Assert.Equal(137, counts.BatchEntities);
        Assert.Equal(138, counts.EntitiesWritten);
        Assert.Equal(5, counts.Writes);
        Assert.Equal(8, counts.Reads);
    }
}
