using Phoenix.Bench.InstantExecutor;

// Prints "grpc <address>" and "http <address>" once listening, then serves until stopped (SIGTERM / Ctrl-C).
await using var backend = await InstantBackend.StartAsync(args);
Console.WriteLine($"grpc {backend.GrpcAddress}");
Console.WriteLine($"http {backend.HttpAddress}");
await backend.WaitForShutdownAsync();
