using Dnet.ServiceDefaults.Cluster;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Dnet.Cluster.Tests;

/// <summary>
/// Where a node listens and what it advertises: loopback unless told otherwise; beyond loopback its Kestrel endpoints
/// move to the bind address (keeping a loopback listener for a single address) and it advertises an address others reach.
/// </summary>
[TestClass]
public sealed class NetworkTests
{
    [TestMethod]
    public void LoopbackIsTheDefaultAndKeepsTheConfiguredEndpoints()
    {
        var (network, configuration) = Build(new() { ["Kestrel:Endpoints:grpc:Url"] = "http://localhost:5301" });

        Assert.AreEqual(NetworkBind.Loopback, network.Bind);
        Assert.AreEqual("localhost", network.AdvertisedHost);
        Assert.AreEqual("http://localhost:5301", network.AdvertisedUrl(5301));
        Assert.AreEqual("http://localhost:5301", configuration["Kestrel:Endpoints:grpc:Url"]);
    }

    [TestMethod]
    public void AnyListensOnEveryInterfaceAndAdvertisesANonLoopbackAddress()
    {
        var (network, configuration) = Build(new()
        {
            [NetworkSettings.BindKey] = "any",
            [ClusterSecret.Key] = "s",
            ["Kestrel:Endpoints:grpc:Url"] = "http://localhost:5301",
            ["Kestrel:Endpoints:grpc:Protocols"] = "Http2",
        });

        Assert.AreEqual(NetworkBind.Any, network.Bind);
        Assert.AreEqual("http://0.0.0.0:5301", configuration["Kestrel:Endpoints:grpc:Url"]);
        Assert.IsTrue(System.Net.IPAddress.TryParse(network.AdvertisedHost, out var advertised), network.AdvertisedHost);
        Assert.IsFalse(System.Net.IPAddress.IsLoopback(advertised), network.AdvertisedHost);
    }

    [TestMethod]
    public void OneAddressListensThereAndOnLoopbackAndIsAdvertised()
    {
        var (network, configuration) = Build(new()
        {
            [NetworkSettings.BindKey] = "10.213.0.7",
            [ClusterSecret.Key] = "s",
            ["Kestrel:Endpoints:grpc:Url"] = "http://localhost:5301",
            ["Kestrel:Endpoints:grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:http:Url"] = "http://127.0.0.1:5300",
        });

        Assert.AreEqual("10.213.0.7", network.AdvertisedHost);
        Assert.AreEqual("http://10.213.0.7:5301", configuration["Kestrel:Endpoints:grpc:Url"]);
        Assert.AreEqual("http://localhost:5301", configuration["Kestrel:Endpoints:grpc-loopback:Url"]);
        Assert.AreEqual("Http2", configuration["Kestrel:Endpoints:grpc-loopback:Protocols"]);
        Assert.AreEqual("http://10.213.0.7:5300", configuration["Kestrel:Endpoints:http:Url"]);
    }

    [TestMethod]
    public void AnAdvertisedNameWinsAndABadBindValueIsRefused()
    {
        var (network, _) = Build(new() { [NetworkSettings.BindKey] = "any", [ClusterSecret.Key] = "s", [NetworkSettings.AdvertiseKey] = "shard-lab-1.example" });
        Assert.AreEqual("http://shard-lab-1.example:5300", network.AdvertisedUrl(5300));

        var refused = Assert.ThrowsExactly<InvalidOperationException>(() => Build(new() { [NetworkSettings.BindKey] = "everywhere" }));
        StringAssert.Contains(refused.Message, "'everywhere'");
    }

    private static (NetworkSettings Network, IConfiguration Configuration) Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCluster();
        var host = builder.Build();
        return (host.Services.GetRequiredService<NetworkSettings>(), host.Services.GetRequiredService<IConfiguration>());
    }
}
