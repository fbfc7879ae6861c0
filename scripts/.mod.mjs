import { build } from "esbuild";
import vm from "node:vm";
import { writeFileSync } from "node:fs";
const variants = JSON.parse(process.argv[2]);
const codes = {};
for (const [label, entry] of Object.entries(variants)) {
  writeFileSync("src/.entry.ts", entry);
  const r = await build({ entryPoints: ["src/.entry.ts"], bundle: true, minify: true, format: "esm", write: false, conditions: ["workerd","worker","browser"], platform: "neutral", mainFields:["module","main"], external: ["cloudflare:*","node:*"], target: "es2022", logLevel: "silent" });
  codes[label] = r.outputFiles[0].text.replace(/import\{DurableObject as ([\w$]+)\}from"cloudflare:workers";/g,"const $1=class{};");
}
const res = Object.fromEntries(Object.keys(codes).map(k=>[k,[]]));
for (let r=0;r<150;r++) for (const [label, code] of Object.entries(codes)) {
  const ctx = vm.createContext({ console, TextEncoder, TextDecoder, URL, Response, Request, Headers, crypto, Promise, Set, Map, WeakMap, Date, JSON, Math, Object, Array, Number, String, Symbol, Error, RegExp, ReadableStream, TransformStream, WritableStream, AbortController, AbortSignal, setTimeout, clearTimeout, queueMicrotask, structuredClone, btoa, atob, Intl, Reflect, Proxy, Uint8Array, ArrayBuffer, DataView, Blob });
  const m = new vm.SourceTextModule(code, { context: ctx }); await m.link(() => { throw new Error("x"); });
  const c = process.cpuUsage(); await m.evaluate(); const u = process.cpuUsage(c); res[label].push((u.user+u.system)/1000);
}
const med=x=>[...x].sort((p,q)=>p-q)[x.length>>1];
for (const k of Object.keys(res)) console.log(k.padEnd(16), med(res[k]).toFixed(3), "ms", (codes[k].length/1024).toFixed(1)+"KB");
