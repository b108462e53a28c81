#!/usr/bin/env node
// Offline validation of Phoenix's Kubernetes manifests (deploy/kubernetes), run by ./test.sh through
// tests/Phoenix.Operations.Tests/Kubernetes.
//
//   node validate.mjs [--json OUT] [TARGET...]
//
// TARGET is a kustomization directory (rendered: its resources, patches and images, recursively) or a YAML file
// (validated as it is). Default: deploy/kubernetes/base and every directory under deploy/kubernetes/overlays.
// Every object is checked against the Kubernetes API schemas that the npm package kubernetes-models bundles (no
// download at run time), strictly (a field the schema does not define is an error, like kubeconform -strict), and the
// objects of one rendering are checked against each other (a Secret or ConfigMap a pod uses exists, a Service,
// PodDisruptionBudget or NetworkPolicy selects pods that exist, an autoscaler's target exists, a probe's named port
// is declared). Errors name the file, the object and the field; the exit code is 1 when there is any.
// --json OUT writes every rendering as {"target": [objects…]} for further checks.
//
// The kustomize renderer here covers what these manifests use: resources (files and directories), strategic-merge
// patches (path or inline, optional target; "$patch: delete" removes an object, and references to it then count as
// satisfied by the cluster) and images. Anything else in a kustomization.yaml is an error, so a
// feature this renderer does not know is never silently ignored.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.PHOENIX_VALIDATE_NODE_MODULES || path.join(here, "node_modules");
if (!fs.existsSync(path.join(modulesDir, "kubernetes-models"))) {
  console.error(`validate.mjs: kubernetes-models is not installed in ${modulesDir}: run npm ci in ${here} (./test.sh does)`);
  process.exit(2);
}
const requireModule = createRequire(path.join(modulesDir, "noop.js"));
const YAML = requireModule("yaml");
const kubernetesRoot = path.resolve(here, "..");

// --- arguments ------------------------------------------------------------------------------------------------
const args = process.argv.slice(2);
let jsonOut = null;
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--json") jsonOut = args[++i];
  else targets.push(path.resolve(args[i]));
}
if (targets.length === 0) {
  targets.push(path.join(kubernetesRoot, "base"));
  const overlays = path.join(kubernetesRoot, "overlays");
  if (fs.existsSync(overlays)) {
    for (const name of fs.readdirSync(overlays).sort()) {
      if (fs.statSync(path.join(overlays, name)).isDirectory()) targets.push(path.join(overlays, name));
    }
  }
}

const errors = [];
const rel = (p) => path.relative(process.cwd(), p) || ".";
const describe = (o) => `${o?.kind ?? "?"} ${o?.metadata?.namespace ? o.metadata.namespace + "/" : ""}${o?.metadata?.name ?? "?"}`;
const fail = (file, object, field, message) =>
  errors.push(`${rel(file)}: ${object ? describe(object) + ": " : ""}${field ? field + ": " : ""}${message}`);

// --- YAML -----------------------------------------------------------------------------------------------------
function readYaml(file) {
  const text = fs.readFileSync(file, "utf8");
  const docs = YAML.parseAllDocuments(text, { prettyErrors: true });
  const objects = [];
  for (const doc of docs) {
    for (const e of doc.errors) fail(file, null, null, `YAML: ${e.message.split("\n")[0]}`);
    if (doc.errors.length) continue;
    const value = doc.toJS({ maxAliasCount: 0 });
    if (value === null || value === undefined) continue;
    objects.push(value);
  }
  return objects;
}

// --- kustomize (the subset above) -------------------------------------------------------------------------------
const kustomizationKeys = new Set(["apiVersion", "kind", "metadata", "resources", "patches", "images"]);
const mergeKeys = { containers: "name", initContainers: "name", env: "name", volumes: "name", volumeMounts: "mountPath", imagePullSecrets: "name" };

function render(dir, stack = [], removed = []) {
  const file = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) {
    fail(dir, null, null, "no kustomization.yaml in this directory");
    return [];
  }
  if (stack.includes(dir)) {
    fail(file, null, null, `resource cycle: ${[...stack, dir].map(rel).join(" -> ")}`);
    return [];
  }
  const [k = {}] = readYaml(file);
  for (const key of Object.keys(k)) {
    if (!kustomizationKeys.has(key)) fail(file, null, key, "not supported by this validator's renderer (resources, patches and images are)");
  }
  let items = [];
  (k.resources ?? []).forEach((entry, i) => {
    const target = path.resolve(dir, entry);
    if (!fs.existsSync(target)) return fail(file, null, `resources[${i}]`, `${entry}: no such file or directory`);
    if (fs.statSync(target).isDirectory()) items.push(...render(target, [...stack, dir], removed));
    else items.push(...readYaml(target).map((object) => ({ object, source: target })));
  });
  (k.patches ?? []).forEach((entry, i) => {
    const field = `patches[${i}]`;
    let patches;
    if (entry.path) {
      const target = path.resolve(dir, entry.path);
      if (!fs.existsSync(target)) return fail(file, null, `${field}.path`, `${entry.path}: no such file`);
      patches = readYaml(target).map((p) => ({ p, source: target }));
    } else if (typeof entry.patch === "string") {
      patches = YAML.parseAllDocuments(entry.patch).map((d) => ({ p: d.toJS(), source: file }));
    } else {
      return fail(file, null, field, "needs path or patch");
    }
    for (const { p, source } of patches) {
      if (Array.isArray(p)) { fail(source, null, field, "JSON 6902 patches are not supported here; use a strategic-merge patch"); continue; }
      const t = entry.target ?? {};
      const want = { kind: t.kind ?? p.kind, name: t.name ?? p.metadata?.name, namespace: t.namespace ?? p.metadata?.namespace };
      const matches = items.filter(({ object: o }) =>
        o.kind === want.kind && o.metadata?.name === want.name && (!want.namespace || o.metadata?.namespace === want.namespace));
      if (matches.length === 0) { fail(source, p, field, `patches nothing: no ${want.kind} ${want.namespace ? want.namespace + "/" : ""}${want.name} among the resources`); continue; }
      if (p.$patch === "delete") {
        // The object leaves this rendering (e.g. a Secret the cluster owns): references to it stay satisfied.
        for (const m of matches) removed.push(m.object);
        items = items.filter((it) => !matches.includes(it));
        continue;
      }
      for (const m of matches) {
        const { metadata: { name, namespace } = {}, ...rest } = p;
        m.object = strategicMerge(m.object, { ...rest, metadata: { ...p.metadata, name: m.object.metadata.name, namespace: m.object.metadata.namespace } });
      }
    }
  });
  (k.images ?? []).forEach((image, i) => {
    let used = false;
    for (const { object } of items) {
      for (const c of podContainers(object)) {
        const { name } = splitImage(c.image ?? "");
        if (name !== image.name) continue;
        used = true;
        const base = image.newName ?? name;
        c.image = image.digest ? `${base}@${image.digest}` : `${base}:${image.newTag ?? splitImage(c.image).tag ?? "latest"}`;
      }
    }
    if (!used) fail(file, null, `images[${i}]`, `no container uses the image ${image.name}`);
  });
  return items;
}

function splitImage(image) {
  const at = image.indexOf("@");
  if (at >= 0) return { name: image.slice(0, at), digest: image.slice(at + 1) };
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image };
}

function strategicMerge(target, patch) {
  if (!isObject(target) || !isObject(patch)) return structuredClone(patch);
  const out = structuredClone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isObject(value) && isObject(out[key])) out[key] = strategicMerge(out[key], value);
    else if (Array.isArray(value) && Array.isArray(out[key]) && mergeKeys[key]) {
      const mk = mergeKeys[key];
      const merged = out[key].map((x) => structuredClone(x));
      for (const item of value) {
        const at = merged.findIndex((x) => x?.[mk] === item?.[mk]);
        if (item?.$patch === "delete") { if (at >= 0) merged.splice(at, 1); }
        else if (at >= 0) merged[at] = strategicMerge(merged[at], item);
        else merged.push(structuredClone(item));
      }
      out[key] = merged;
    } else out[key] = structuredClone(value);
  }
  return out;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const podSpec = (o) => (o?.kind === "Pod" ? o.spec : o?.spec?.template?.spec ?? o?.spec?.jobTemplate?.spec?.template?.spec);
const podContainers = (o) => { const s = podSpec(o); return s ? [...(s.initContainers ?? []), ...(s.containers ?? [])] : []; };

// --- schema validation (kubernetes-models) ------------------------------------------------------------------------
const modelCache = new Map();
function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const spec = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  if (!modelCache.has(spec)) {
    try { modelCache.set(spec, requireModule(spec)); } catch { modelCache.set(spec, null); }
  }
  const mod = modelCache.get(spec);
  return mod?.[kind] ? { Model: mod[kind], dts: path.join(modulesDir, spec, `${kind}.d.ts`) } : null;
}

// Strict mode: walks the object along the TypeScript declarations kubernetes-models ships next to each model
// (generated from the same OpenAPI schema) and reports fields they do not declare. Maps and scalars are leaves.
const declarations = new Map();
function declaration(dtsFile) {
  if (declarations.has(dtsFile)) return declarations.get(dtsFile);
  let result = null;
  if (fs.existsSync(dtsFile)) {
    const text = fs.readFileSync(dtsFile, "utf8");
    const imports = new Map();
    for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
      const from = m[2].startsWith(".") ? path.resolve(path.dirname(dtsFile), m[2]) : path.join(modulesDir, m[2]);
      imports.set(m[1], `${from}.d.ts`);
    }
    const body = text.match(/^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m);
    if (body) {
      const props = new Map();
      for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: (.+?);?$/gm)) {
        const type = m[2];
        const array = type.match(/^Array<(\w+)>$/);
        const ref = array ? array[1] : /^\w+$/.test(type) ? type : null;
        props.set(m[1], { file: ref && imports.get(ref), array: Boolean(array) });
      }
      const base = /extends TypeMeta/.test(body[0]) ? ["apiVersion", "kind"] : [];
      for (const b of base) if (!props.has(b)) props.set(b, {});
      result = props;
    }
  }
  declarations.set(dtsFile, result);
  return result;
}

function strictCheck(value, dtsFile, where, report) {
  const props = declaration(dtsFile);
  if (!props || !isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const prop = props.get(key);
    const field = where ? `${where}.${key}` : key;
    if (!prop) { report(field, `unknown field "${key}" (not in the ${path.basename(dtsFile, ".d.ts")} schema)`); continue; }
    if (!prop.file) continue;
    if (prop.array && Array.isArray(child)) child.forEach((item, i) => strictCheck(item, prop.file, `${field}[${i}]`, report));
    else strictCheck(child, prop.file, field, report);
  }
}

function validateObject(object, source) {
  if (!isObject(object)) return fail(source, null, null, "a document that is not an object");
  if (!object.apiVersion || !object.kind) return fail(source, object, null, "apiVersion and kind are required");
  if (!object.metadata?.name) fail(source, object, "metadata.name", "required");
  const model = modelFor(object.apiVersion, object.kind);
  if (!model) return fail(source, object, "apiVersion/kind", `${object.apiVersion} ${object.kind} is not a Kubernetes API type known to kubernetes-models`);
  try {
    new model.Model(object).validate();
  } catch (e) {
    const lines = String(e?.message ?? e).split("\n").filter(Boolean);
    for (const line of lines) {
      const m = line.match(/^data(\S*) (.*)$/);
      fail(source, object, m ? m[1].replace(/^\//, "").replaceAll("/", ".") || "(object)" : null, m ? m[2] : line);
    }
  }
  strictCheck(object, model.dts, "", (field, message) => fail(source, object, field, message));
  const clusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass", "CustomResourceDefinition"];
  if (!clusterScoped.includes(object.kind) && !object.metadata?.namespace) fail(source, object, "metadata.namespace", "required (manifests here name their namespace)");
}

// --- references between the objects of one rendering ---------------------------------------------------------------
function crossCheck(items, removed = []) {
  const find = (kind, ns, name) => items.find(({ object: o }) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? "") === (ns ?? ""))
    ?? removed.map((object) => ({ object, external: true })).find(({ object: o }) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? "") === (ns ?? ""));
  const seen = new Map();
  for (const { object: o, source } of items) {
    const id = `${o.apiVersion?.split("/")[0]}|${o.kind}|${o.metadata?.namespace ?? ""}|${o.metadata?.name}`;
    if (seen.has(id)) fail(source, o, null, `defined twice (also in ${rel(seen.get(id))})`);
    seen.set(id, source);
  }
  const pods = items.filter(({ object: o }) => podSpec(o)).map(({ object: o }) => ({ o, ns: o.metadata?.namespace, labels: o.spec?.template?.metadata?.labels ?? o.metadata?.labels ?? {} }));
  const selects = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
  const namespaces = new Set(items.filter(({ object: o }) => o.kind === "Namespace").map(({ object: o }) => o.metadata.name));

  for (const { object: o, source } of items) {
    const ns = o.metadata?.namespace;
    if (ns && namespaces.size && !namespaces.has(ns)) fail(source, o, "metadata.namespace", `namespace ${ns} is not defined in this rendering`);
    const spec = podSpec(o);
    if (spec) {
      const templateLabels = o.spec?.template?.metadata?.labels ?? {};
      if (o.spec?.selector?.matchLabels && !selects(o.spec.selector.matchLabels, templateLabels)) fail(source, o, "spec.selector.matchLabels", "does not match the pod template's labels");
      for (const [i, v] of (spec.volumes ?? []).entries()) {
        if (v.secret && !find("Secret", ns, v.secret.secretName)) fail(source, o, `spec.template.spec.volumes[${i}].secret.secretName`, `no Secret ${ns}/${v.secret.secretName}`);
        if (v.configMap && !find("ConfigMap", ns, v.configMap.name)) fail(source, o, `spec.template.spec.volumes[${i}].configMap.name`, `no ConfigMap ${ns}/${v.configMap.name}`);
      }
      const volumeNames = new Set((spec.volumes ?? []).map((v) => v.name));
      for (const c of podContainers(o)) {
        const at = `container ${c.name}`;
        for (const [i, e] of (c.envFrom ?? []).entries()) {
          if (e.configMapRef && !find("ConfigMap", ns, e.configMapRef.name)) fail(source, o, `${at}.envFrom[${i}]`, `no ConfigMap ${ns}/${e.configMapRef.name}`);
          if (e.secretRef && !find("Secret", ns, e.secretRef.name)) fail(source, o, `${at}.envFrom[${i}]`, `no Secret ${ns}/${e.secretRef.name}`);
        }
        for (const e of c.env ?? []) {
          const s = e.valueFrom?.secretKeyRef;
          const m = e.valueFrom?.configMapKeyRef;
          for (const [kind, ref] of [["Secret", s], ["ConfigMap", m]]) {
            if (!ref) continue;
            const target = find(kind, ns, ref.name);
            const data = target && { ...(target.object.data ?? {}), ...(target.object.stringData ?? {}) };
            if (!target) fail(source, o, `${at}.env.${e.name}`, `no ${kind} ${ns}/${ref.name}`);
            else if (!target.external && !(ref.key in data)) fail(source, o, `${at}.env.${e.name}`, `${kind} ${ns}/${ref.name} has no key ${ref.key}`);
          }
        }
        for (const m of c.volumeMounts ?? []) if (!volumeNames.has(m.name)) fail(source, o, `${at}.volumeMounts.${m.name}`, "no volume of that name");
        const portNames = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean));
        for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
          const port = c[probe]?.httpGet?.port ?? c[probe]?.grpc?.port ?? c[probe]?.tcpSocket?.port;
          if (typeof port === "string" && !portNames.has(port)) fail(source, o, `${at}.${probe}`, `port ${port} is not a named port of the container`);
        }
      }
    }
    const selector = o.kind === "Service" ? o.spec?.selector : ["PodDisruptionBudget"].includes(o.kind) ? o.spec?.selector?.matchLabels : o.kind === "NetworkPolicy" ? o.spec?.podSelector?.matchLabels : undefined;
    if (selector && Object.keys(selector).length && !pods.some((p) => p.ns === ns && selects(selector, p.labels))) fail(source, o, "selector", `selects no pod template in ${ns}`);
    if (o.kind === "Service" && o.spec?.type !== "ExternalName") {
      for (const p of o.spec?.ports ?? []) {
        if (typeof p.targetPort !== "string") continue;
        const matched = pods.filter((x) => x.ns === ns && selects(o.spec.selector, x.labels));
        if (!matched.some((x) => podContainers(x.o).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)))) fail(source, o, `spec.ports.${p.name}.targetPort`, `no selected container declares a port named ${p.targetPort}`);
      }
    }
    if (o.kind === "HorizontalPodAutoscaler") {
      const t = o.spec?.scaleTargetRef;
      if (t && !find(t.kind, ns, t.name)) fail(source, o, "spec.scaleTargetRef", `no ${t.kind} ${ns}/${t.name}`);
    }
  }
}

// --- run ----------------------------------------------------------------------------------------------------------
const rendered = {};
let count = 0;
for (const target of targets) {
  if (!fs.existsSync(target)) { fail(target, null, null, "no such file or directory"); continue; }
  const removed = [];
  const items = fs.statSync(target).isDirectory()
    ? render(target, [], removed)
    : readYaml(target).map((object) => ({ object, source: target }));
  for (const { object, source } of items) validateObject(object, source);
  if (fs.statSync(target).isDirectory()) crossCheck(items, removed);
  rendered[path.relative(kubernetesRoot, target) || "."] = items.map(({ object }) => object);
  count += items.length;
}
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify(rendered, null, 2));
const unique = [...new Set(errors)];
if (unique.length) {
  for (const e of unique) console.error(e);
  console.error(`validate.mjs: ${unique.length} problem(s) in ${targets.map(rel).join(", ")}`);
  process.exit(1);
}
console.log(`validate.mjs: ${count} objects in ${targets.length} target(s) valid (${targets.map(rel).join(", ")})`);
