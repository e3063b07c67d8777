// `v.optional` only means something for an object field ("You can
// describe optional fields by wrapping their type with v.optional(...) ... This corresponds to
// marking fields as optional with ? in TypeScript"). Elsewhere the run time refuses the
// `undefined` the inferred type lets through: `undefined` inside an array is not a value
// (protocol.md §11.1), and a union or nullable holding an optional is a required field, so
// `{ a: undefined }` fails with "missing required field". So the builders refuse optional
// validators in those positions, as the Convex API does, and `Infer` never promises `undefined`.
import { v } from "syncline/values";

// 1. An array element cannot be optional: refuse it at compile time (as the Convex API does).
// @ts-expect-error v.optional is for object fields, not array elements
const list = v.array(v.optional(v.string()));
void list;

// 2. A union member / nullable inner cannot be optional either.
// @ts-expect-error v.optional is for object fields, not union members
const either = v.union(v.optional(v.string()), v.number());
void either;
// @ts-expect-error v.optional is for object fields, not the inside of v.nullable
const maybe = v.nullable(v.optional(v.string()));
void maybe;

// 3. `.optional()` (the method form) types a field exactly like `v.optional(...)`, and is refused
// in the same places.
const withMethod = v.object({ a: v.string().optional(), b: v.array(v.number()).optional() });
const fromMethod: { a?: string; b?: number[] } = {} as import("syncline/values").Infer<typeof withMethod>;
const backToMethod: import("syncline/values").Infer<typeof withMethod> = fromMethod;
void backToMethod;
// @ts-expect-error .optional() is for object fields, not array elements
const listOfOptional = v.array(v.string().optional());
void listOfOptional;
