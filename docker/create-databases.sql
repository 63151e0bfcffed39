-- One database per platform instance: nothing is shared between deployments but the partner API.
CREATE DATABASE crossborder_cn;
CREATE DATABASE crossborder_us;
CREATE DATABASE crossborder_jp;
