using Phoenix.Bench.Yarp;

// Prints "yarp <address>" once listening, then proxies until stopped (SIGTERM / Ctrl-C).
await using var proxy = await YarpProxy.StartAsync(args);
Console.WriteLine($"yarp {proxy.Address}");
await proxy.WaitForShutdownAsync();
