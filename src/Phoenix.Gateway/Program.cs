using Phoenix.Gateway;
using Phoenix.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();
app.MapGatewayApi();
app.Run();

/// <summary>The gateway's entry point (public for test hosts).</summary>
public partial class Program;
