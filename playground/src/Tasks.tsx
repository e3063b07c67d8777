import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "syncline/react";
import { api } from "../syncline/_generated/api";

/** A task list whose mutations run in call order, however fast you click. */
export function Tasks() {
  const tasks = useQuery(api.tasks.list);
  const add = useMutation(api.tasks.add);
  const toggle = useMutation(api.tasks.toggle);
  const move = useMutation(api.tasks.move);
  const [text, setText] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim() === "") return;
    void add({ text: text.trim() });
    setText("");
  };

  return (
    <section className="tasks">
      <h2>Tasks</h2>
      <form onSubmit={submit}>
        <input aria-label="New task" value={text} onChange={(e) => setText(e.target.value)} placeholder="Add a task" />
        <button type="submit">Add</button>
      </form>
      {tasks === undefined ? (
        <p className="muted">Loading…</p>
      ) : (
        <ol data-testid="tasks">
          {tasks.map((task) => (
            <li key={task._id} className={task.done ? "done" : ""}>
              <label>
                <input type="checkbox" checked={task.done} onChange={() => void toggle({ id: task._id })} /> {task.text}
              </label>
              <button aria-label="Move up" onClick={() => void move({ id: task._id, direction: "up" })}>↑</button>
              <button aria-label="Move down" onClick={() => void move({ id: task._id, direction: "down" })}>↓</button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
